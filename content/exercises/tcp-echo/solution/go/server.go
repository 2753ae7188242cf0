// tcp-echo, reference solution: a TCP echo server, one goroutine per client.
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
	var delay time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			// Out of descriptors, say: a shortage that passes once clients leave. Retrying at
			// once would spin while it lasts, so wait, longer each time, as net/http does.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			log.Printf("accept failed: %v; retrying in %v", err, delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		go func(c net.Conn) {
			defer c.Close()
			// io.Copy reads until EOF (the client half-closed) and writes every byte.
			_, _ = io.Copy(c, c)
		}(conn)
	}
}
