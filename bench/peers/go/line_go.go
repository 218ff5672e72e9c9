// Line server, a goroutine per connection: the Go baseline of the server
// experiment (bench/serve.sh), against which the line rows are compared.
//
// The classic line protocol: read whatever the client sends (fanout load
// sends a bare "1") and answer "hello world\n" per read, or per newline if
// the data holds newlines. Prints "listening on 127.0.0.1 port P" once it
// listens; SIGTERM or SIGINT closes the listener and exits 0. Standard
// library only. Built by bench/serve.sh into build/bench/line-go.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

var reply = []byte("hello world\n")

func serve(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			k := bytes.Count(buf[:n], []byte{'\n'})
			out := reply
			if k > 1 {
				out = bytes.Repeat(reply, k)
			}
			if _, werr := c.Write(out); werr != nil {
				return
			}
		}
		if err != nil {
			return // EOF, or reset by the client: only this connection ends
		}
	}
}

func main() {
	port := flag.Int("port", 7000, "port on 127.0.0.1 (0 picks a free one)")
	flag.Parse()
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		fmt.Fprintf(os.Stderr, "line_go: cannot listen on 127.0.0.1 port %d: %v\n", *port, err)
		os.Exit(2)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		ln.Close()
		os.Exit(0)
	}()
	fmt.Printf("listening on 127.0.0.1 port %d\n", ln.Addr().(*net.TCPAddr).Port)
	os.Stdout.Sync()
	for {
		c, err := ln.Accept()
		if err != nil {
			// Out of descriptors, or closed by the signal handler (which
			// exits): back off and keep serving the connections we have.
			time.Sleep(5 * time.Millisecond)
			continue
		}
		go serve(c)
	}
}
