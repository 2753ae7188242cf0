// mux-chat starter: greets each client with "welcome\n" and relays every line to every other
// client, a goroutine per client.
//
// It works while everyone reads. But broadcast writes to each client itself, holding the lock:
// one client that stops reading blocks that Write, and with it every sender. Give each client a
// queue and a writer goroutine, and disconnect a client once more than 1 MiB waits for it.
//
// Build: go build -o server server.go
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"sync"
)

var (
	mu      sync.Mutex
	clients = map[net.Conn]struct{}{}
)

func broadcast(from net.Conn, line []byte) {
	mu.Lock()
	defer mu.Unlock()
	for c := range clients {
		if c != from {
			c.Write(line) // TODO: blocks while c does not read, and everyone waits for the lock
		}
	}
}

func serve(conn net.Conn) {
	defer conn.Close()
	mu.Lock()
	clients[conn] = struct{}{}
	mu.Unlock()
	conn.Write([]byte("welcome\n"))
	lines := bufio.NewScanner(conn)
	for lines.Scan() {
		broadcast(conn, append([]byte(lines.Text()), '\n'))
	}
	mu.Lock()
	delete(clients, conn)
	mu.Unlock()
}

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
		go serve(conn)
	}
}
