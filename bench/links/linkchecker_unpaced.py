#!/usr/bin/python3
"""LinkChecker with its per-host pause turned off, for bench/links/run.py.

    linkchecker_unpaced.py [linkchecker's arguments]

LinkChecker (10.2, Debian's package) waits a random 0.1 to 0.6 s between
two requests to one host (linkcheck/director/aggregator.py,
Aggregate.wait_for_host, under a lock shared by all threads), whatever
the thread count: about 3 requests a second per host. Its
`maxrequestspersecond` setting can only lower that, unless the server
answers with a "LinkChecker" header, which the test site's server does
not send. This runs Debian's LinkChecker unchanged except for that one
method, made a no-op, to show what its checking engine does without the
pause: the same code path as a server that sends the header with an
unbounded rate. Standard library and LinkChecker only.
"""
import sys

import linkcheck.director.aggregator as aggregator
from linkcheck.command.linkchecker import linkchecker

aggregator.Aggregate.wait_for_host = lambda self, host: None

if __name__ == "__main__":
    sys.argv[0] = "linkchecker"
    sys.exit(linkchecker())
