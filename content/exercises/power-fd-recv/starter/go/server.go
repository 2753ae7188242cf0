// power-fd-recv starter: receive one open descriptor per connection on the abstract Unix stream
// socket @NAME, read it to its end and answer "lines <L> bytes <B>\n".
//
// It listens, but closes every connection at once. Receive the byte "F" with ReadMsgUnix and its
// SCM_RIGHTS control message, count the descriptor's lines and bytes, answer, and close every
// descriptor that arrived (see the statement for the error answers). Serve clients concurrently
// and stop cleanly on SIGINT/SIGTERM.
// Build: go build -o server server.go
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: server NAME")
		os.Exit(2)
	}
	name := "@" + os.Args[1] // '@': an abstract name
	ln, err := net.Listen("unix", name)
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen failed: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", name)
	for {
		conn, err := ln.Accept()
		if err != nil {
			continue
		}
		// TODO: ReadMsgUnix the byte "F" and its descriptor, count, answer, close what arrived
		conn.Close()
	}
}
