// tcp-echo, mutant: a TCP echo server, one goroutine per client.
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s PORT\n", os.Args[0])
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening on", ln.Addr())
	for {
		conn, err := ln.Accept()
		if err != nil {
			// Out of descriptors and the like pass once clients leave: wait and retry (as
			// net/http does) instead of exiting or spinning.
			log.Printf("accept: %v", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		go func(c net.Conn) {
			defer c.Close()
			// io.Copy reads until EOF (the client half-closed) and writes every byte.
			if _, err := io.Copy(c, c); err != nil {
				log.Fatal(err) // the mistake: one client's error ends the server
			}
		}(conn)
	}
}
