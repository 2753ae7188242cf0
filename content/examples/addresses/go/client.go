// Dual-stack echo client: net.Dial does getaddrinfo's loop for you.
//
// Shows: net.Dial("tcp", "localhost:9090") looks the name up (Go's own resolver reads
// /etc/hosts; cgo's getaddrinfo is used where Go cannot answer), then tries the addresses in
// order; with both families it races IPv6 and IPv4 ("Happy Eyeballs", RFC 6555: the second
// family starts 300 ms after the first unless the first fails sooner). "tcp4"/"tcp6" would
// allow one family only. Then it prints the server's greeting and echoes stdin like the tcp
// lesson's client.
//
// Build: go build -o client client.go
// Run:   ./client localhost 9090    (type lines; Ctrl-D to finish)
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
	host, port := "localhost", "9090"
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
	addr := net.JoinHostPort(host, port) // "[::1]:9090": an IPv6 literal needs brackets

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		// Dial returns the first address's error once every address has failed.
		fmt.Fprintf(os.Stderr, "connect failed: %v\n", err)
		os.Exit(1)
	}
	defer conn.Close()
	fmt.Printf("connected to %s\n", conn.RemoteAddr()) // the address that answered

	replies := bufio.NewScanner(conn)
	replies.Buffer(make([]byte, 4096), maxLine+len("echo: "))
	if !replies.Scan() { // the server says first what it sees
		serverGone(replies.Err())
	}
	fmt.Println(replies.Text())
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
