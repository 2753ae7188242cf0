// tcp-echo starter: a TCP echo server on 127.0.0.1:PORT.
//
// It already listens and echoes, but only one client at a time. Make it serve many clients at
// once (a goroutine per connection). Build: go build -o server server.go
package main

import (
	"fmt"
	"log"
	"net"
	"os"
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
			log.Fatal(err)
		}
		// TODO: this serves one client until it leaves; the others wait.
		buf := make([]byte, 1024)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				break
			}
			if _, err := conn.Write(buf[:n]); err != nil {
				break
			}
		}
		conn.Close()
	}
}
