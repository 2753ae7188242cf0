// mux-echo starter: the line echo server ("echo: <line>\n" for every line) on 127.0.0.1:PORT.
//
// It serves one connection after the other: while one client is connected, the others wait.
// In Go the fix is small, and the runtime's netpoller (epoll underneath) does the rest.
//
// Build: go build -o server server.go
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: server PORT")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", os.Args[1]))
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen failed: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	for {
		conn, err := ln.Accept()
		if err != nil {
			continue
		}
		serve(conn) // TODO: the next client waits until this one is done
	}
}

func serve(conn net.Conn) {
	defer conn.Close()
	lines := bufio.NewScanner(conn)
	lines.Buffer(make([]byte, 4096), 64*1024)
	for lines.Scan() {
		if _, err := conn.Write([]byte("echo: " + lines.Text() + "\n")); err != nil {
			return
		}
	}
}
