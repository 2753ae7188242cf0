// tcp-idle-timeout starter: a TCP echo server on 127.0.0.1:PORT, a goroutine per client.
//
// A client that says nothing keeps its connection (and goroutine) forever. Close a connection
// from which no byte has arrived for 2 s. Build: go build -o server server.go
package main

import (
	"fmt"
	"io"
	"net"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: server PORT")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen failed: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	for {
		conn, err := ln.Accept()
		if err != nil {
			continue
		}
		go func(c net.Conn) {
			defer c.Close()
			_, _ = io.Copy(c, c) // TODO: waits as long as the client is silent
		}(conn)
	}
}
