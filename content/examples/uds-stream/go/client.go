// Unix stream client: sends each line of stdin to the server's socket file, prints each reply.
//
// Shows: net.Dial("unix", path) (socket(AF_UNIX) + connect to the file's address), the same
// newline framing and half-close (CloseWrite = shutdown(SHUT_WR)) as over TCP. Connecting needs
// write permission on the socket file; with no server it fails with ENOENT (no file) or
// ECONNREFUSED (a stale file).
//
// Build: go build -o client client.go
// Run:   ./client /tmp/socketlab-uds-stream.sock    (type lines; Ctrl-D to finish)
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
)

const maxLine = 64 * 1024

func main() {
	addr := "/tmp/socketlab-uds-stream.sock"
	switch len(os.Args) {
	case 1:
	case 2:
		addr = os.Args[1]
	default:
		fmt.Fprintln(os.Stderr, "usage: client [socket-path]")
		os.Exit(2)
	}

	conn, err := net.Dial("unix", addr)
	if err != nil {
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
	if err := conn.(*net.UnixConn).CloseWrite(); err != nil {
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
