module fanout/bench/go

go 1.19
