// tcp-sendall starter: sends every client the 8 MiB stream (line k is k zero-padded to 7 digits
// and "\n", k = 0 .. 1048575), then closes.
//
// It serves one client at a time, loses the end of the stream, and resets the connection
// instead of closing it. Fix all three. Build: go build -o server server.go
package main

import (
	"bufio"
	"fmt"
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
		// TODO: one client at a time: a client that reads slowly keeps the others waiting.
		w := bufio.NewWriter(conn)
		for k := 0; k < 1<<20; k++ {
			fmt.Fprintf(w, "%07d\n", k)
		}
		// TODO: what is still in w's buffer is never written; and SetLinger(0) makes Close
		// throw away what the kernel has not sent yet (and send a reset).
		conn.(*net.TCPConn).SetLinger(0)
		conn.Close()
	}
}
