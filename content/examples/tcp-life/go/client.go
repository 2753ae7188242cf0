// A TCP connection's life, seen from the client: the tcp lesson's line client, which says how the
// connection ended. Type `close` or `reset` to make the server end it (see server.go).
//
//	the server sent a FIN   Read returns io.EOF: "server closed the connection: end of stream (FIN)"
//	the server sent a RST   Read fails with ECONNRESET: "server reset the connection: ECONNRESET (RST)"
//	end of our input        we half-close first, read to the server's FIN and close: this side
//	                        sent the first FIN, so it is the one in TIME_WAIT (`ss -tan`)
//
// Build: go build -o client client.go
// Run:   ./client 127.0.0.1 9090    (type lines; Ctrl-D to finish)
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"syscall"
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
	// Our own address: the kernel picked the port (an ephemeral port); ss shows it.
	fmt.Printf("connected to %s from %s\n", addr, conn.LocalAddr())

	replies := bufio.NewScanner(conn)
	replies.Buffer(make([]byte, 4096), maxLine+len("echo: "))
	input := bufio.NewScanner(os.Stdin)
	input.Buffer(make([]byte, 4096), maxLine)
	for input.Scan() {
		if _, err := conn.Write([]byte(input.Text() + "\n")); err != nil {
			serverGone(err) // EPIPE or ECONNRESET: a RST came earlier
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
		serverGone(err)
	}
	conn.Close()
	fmt.Println("we closed first: this side is in TIME_WAIT now")
}

// serverGone reports how the server ended the connection, which is what this client is for: a FIN
// (Scanner.Err is nil at EOF) or a RST (ECONNRESET; EPIPE for a write after it), then exits 0.
func serverGone(err error) {
	switch {
	case err == nil || err == io.EOF:
		fmt.Println("server closed the connection: end of stream (FIN)")
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		fmt.Println("server reset the connection: ECONNRESET (RST)")
	default:
		fmt.Fprintf(os.Stderr, "read failed: %v\n", err)
		os.Exit(1)
	}
	os.Exit(0)
}
