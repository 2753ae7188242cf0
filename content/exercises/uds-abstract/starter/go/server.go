// uds-abstract starter: a line server on the abstract Unix socket @NAME ("PING" -> "PONG",
// anything else -> "ERR unknown command").
//
// This one listens on a *file* called NAME in the current folder. In Go, an address starting
// with "@" is abstract. Build: go build -o server server.go
package main

import (
	"fmt"
	"log"
	"net"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s NAME\n", os.Args[0])
		os.Exit(2)
	}
	ln, err := net.Listen("unix", os.Args[1]) // TODO: abstract
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening on", ln.Addr())
	for {
		conn, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		// TODO: read lines (bufio.Scanner) and answer each one
		conn.Close()
	}
}
