// uds-abstract, mutant (bufio.Scanner with its default 64 KiB limit): a line server on the abstract Unix socket @NAME.
// "PING" -> "PONG", anything else -> "ERR unknown command". In Go, a leading "@" means abstract.
package main

import (
	"bufio"
	"fmt"
	"log"
	"net"
	"os"
)

func serve(c net.Conn) {
	defer c.Close()
	scanner := bufio.NewScanner(c)
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
	for {
		conn, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go serve(conn)
	}
}
