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

const maxFrame = 32 // the mistake: a limit far below the 65536 the statement promises

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
	for {
		conn, err := ln.Accept()
		if err != nil {
			// Out of descriptors and the like pass once clients leave: wait and retry (as
			// net/http does) instead of exiting or spinning.
			log.Printf("accept: %v", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		go serve(conn)
	}
}
