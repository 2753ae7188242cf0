// tcp-frames starter: length-prefixed frames over TCP. Each frame is a 4-byte big-endian length
// N (at most 65536) and N bytes; answer each with a frame of the same bytes reversed, and close
// the connection when a length is over 65536.
//
// This version assumes one Read is one whole frame. It is not: use io.ReadFull.
// Build: go build -o server server.go
package main

import (
	"fmt"
	"log"
	"net"
	"os"
)

func serve(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 4+65536)
	for {
		// TODO: one Read is not one frame.
		n, err := c.Read(buf)
		if err != nil || n < 4 {
			return
		}
		out := make([]byte, n)
		copy(out, buf[:4])
		for i := 4; i < n; i++ {
			out[i] = buf[n-1-(i-4)]
		}
		if _, err := c.Write(out); err != nil {
			return
		}
	}
}

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
		go serve(conn)
	}
}
