module fanout/bench/peers/go

go 1.19
