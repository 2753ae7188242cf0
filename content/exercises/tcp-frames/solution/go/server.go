// tcp-frames, reference solution: length-prefixed frames over TCP. Each frame is a 4-byte
// big-endian length N (at most 65536) and N bytes; the answer is a frame of the bytes reversed.
package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"time"
)

const maxFrame = 65536

func serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	head := make([]byte, 4)
	for {
		if _, err := io.ReadFull(r, head); err != nil {
			return
		}
		n := binary.BigEndian.Uint32(head)
		if n > maxFrame {
			return // refuse: closes the connection
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(r, payload); err != nil {
			return
		}
		out := make([]byte, 4+n)
		copy(out, head)
		for i := uint32(0); i < n; i++ {
			out[4+i] = payload[n-1-i]
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
		go serve(conn)
	}
}
