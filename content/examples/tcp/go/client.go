// TCP line client: sends each line of stdin, prints each reply line.
//
// Shows: net.Dial (socket + connect), newline framing on a byte stream, and half-close:
// at the end of input CloseWrite (shutdown(SHUT_WR)) tells the server "no more requests",
// and the client keeps reading until the server closes its side too.
//
// Build: go build -o client client.go
// Run:   ./client 127.0.0.1 9090    (type lines; Ctrl-D to finish)
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
)

const maxLine = 64 * 1024

func main() {
	host, port := "127.0.0.1", "9090"
	switch len(os.Args) {
	case 1:
	case 3:
		host, port = os.Args[1], os.Args[2]
	default:
		fmt.Fprintln(os.Stderr, "usage: client [host port]")
		os.Exit(2)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		fmt.Fprintln(os.Stderr, "usage: client [host port]   (port: 1-65535)")
		os.Exit(2)
	}
	addr := net.JoinHostPort(host, port)

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		// With no server this is "connect: connection refused" (ECONNREFUSED).
		fmt.Fprintf(os.Stderr, "connect failed: %v\n", err)
		os.Exit(1)
	}
	defer conn.Close()
	fmt.Printf("connected to %s\n", addr)

	replies := bufio.NewScanner(conn)
	replies.Buffer(make([]byte, 4096), maxLine+len("echo: "))
	input := bufio.NewScanner(os.Stdin)
	input.Buffer(make([]byte, 4096), maxLine)
	for input.Scan() {
		if _, err := conn.Write([]byte(input.Text() + "\n")); err != nil {
			fmt.Fprintf(os.Stderr, "write failed: %v\n", err)
			os.Exit(1)
		}
		// The stream has no message boundaries: read up to the reply's '\n', however it arrives.
		if !replies.Scan() {
			serverGone(replies.Err())
		}
		fmt.Println(replies.Text())
	}
	if err := input.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "reading stdin failed: %v\n", err)
		os.Exit(1)
	}

	// Half-close: send FIN, keep reading until the server has closed its side (EOF).
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		fmt.Fprintf(os.Stderr, "shutdown failed: %v\n", err)
		os.Exit(1)
	}
	for replies.Scan() {
		fmt.Println(replies.Text())
	}
	if err := replies.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "read failed: %v\n", err)
		os.Exit(1)
	}
}

// serverGone reports a connection the server closed (EOF) or broke (e.g. ECONNRESET) mid-conversation.
func serverGone(err error) {
	if err == nil || err == io.EOF {
		fmt.Fprintln(os.Stderr, "server closed the connection")
	} else {
		fmt.Fprintf(os.Stderr, "read failed: %v\n", err)
	}
	os.Exit(1)
}
