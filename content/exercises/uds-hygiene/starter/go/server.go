// uds-hygiene starter: a Unix stream echo server on SOCKET that cleans up after itself.
// TODO, in order:
//  1. a socket file left by a crashed server (net.Dial fails with ECONNREFUSED) is removed
//     before Listen; if Dial succeeds, another server is alive: print an error and exit 1;
//  2. the socket file gets mode 0660 (os.Chmod);
//  3. SIGTERM (signal.Notify) closes the listener, removes the path and exits 0.
//
// Build: go build -o server server.go
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s SOCKET\n", os.Args[0])
		os.Exit(2)
	}
	path := os.Args[1]
	ln, err := net.Listen("unix", path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening on", path)
	for {
		conn, err := ln.Accept()
		if err != nil {
			continue
		}
		go func(c net.Conn) {
			defer c.Close()
			_, _ = io.Copy(c, c)
		}(conn)
	}
}
