// power-seqpacket starter: a message echo server on the abstract SOCK_SEQPACKET socket @NAME.
//
// It listens, but closes every connection at once. Answer each message with one message,
// "echo: " + the message (up to 65536 bytes); a longer message gets
// "error: message longer than 65536 bytes" and the connection is closed. Serve clients
// concurrently, and stop cleanly on SIGINT/SIGTERM (see the statement).
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
	ln, err := net.ListenUnix("unixpacket", &net.UnixAddr{Name: name, Net: "unixpacket"})
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen failed: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", name)
	for {
		conn, err := ln.AcceptUnix()
		if err != nil {
			continue
		}
		// TODO: read each message (ReadMsgUnix: check MSG_TRUNC) and write one reply message
		conn.Close()
	}
}
