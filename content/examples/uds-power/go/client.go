// Line echo client for an abstract Unix socket name: sends each line of stdin, prints the reply.
//
// Shows: net.Dial("unix", "@name") (Go writes the '@' as the NUL byte that makes the name
// abstract); the rest is the uds-stream client: newline framing, half-close with CloseWrite.
//
// Build: go build -o client client.go
// Run:   ./client @socketlab-uds-power    (type lines; Ctrl-D to finish)
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
)

const maxLine = 64 * 1024

func main() {
	addr := "@socketlab-uds-power"
	switch len(os.Args) {
	case 1:
	case 2:
		addr = os.Args[1]
	default:
		fmt.Fprintln(os.Stderr, "usage: client [@name]")
		os.Exit(2)
	}
	if !strings.HasPrefix(addr, "@") || len(addr) < 2 {
		fmt.Fprintln(os.Stderr, "usage: client [@name] (an abstract name, e.g. @socketlab-uds-power)")
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
