// uds-abstract, reference solution: a line server on the abstract Unix socket @NAME.
// "PING" -> "PONG", anything else -> "ERR unknown command". In Go, a leading "@" means abstract.
package main

import (
	"bufio"
	"fmt"
	"log"
	"net"
	"os"
	"time"
)

func serve(c net.Conn) {
	defer c.Close()
	scanner := bufio.NewScanner(c)
	// Lines of up to 65536 bytes are valid; the default limit is 64 KiB including the newline.
	scanner.Buffer(make([]byte, 4096), 65536+1)
	for scanner.Scan() {
		answer := "ERR unknown command\n"
		if scanner.Text() == "PING" {
			answer = "PONG\n"
		}
		if _, err := c.Write([]byte(answer)); err != nil {
			return
		}
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s NAME\n", os.Args[0])
		os.Exit(2)
	}
	ln, err := net.Listen("unix", "@"+os.Args[1])
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
