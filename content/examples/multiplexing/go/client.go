// Line client, Go style: two goroutines instead of poll(), one per thing to wait on.
//
// Shows: what poll() does in the C client (wait on the keyboard and the server at once) written
// as two blocking loops: one copies stdin to the socket, one prints replies. The runtime's
// netpoller does the waiting. At end of input it half-closes (CloseWrite) and the reader goes on
// until the server closes. Same protocol as the tcp client.
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
	"sync/atomic"
)

func main() {
	host, port := "127.0.0.1", "9090"
	switch len(os.Args) {
	case 1:
	case 3:
		host, port = os.Args[1], os.Args[2]
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			fmt.Fprintln(os.Stderr, "usage: client [host port]   (port: 1-65535)")
			os.Exit(2)
		}
	default:
		fmt.Fprintln(os.Stderr, "usage: client [host port]")
		os.Exit(2)
	}
	conn, err := net.Dial("tcp", net.JoinHostPort(host, port))
	if err != nil {
		fmt.Fprintf(os.Stderr, "connect failed: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("connected to %s\n", net.JoinHostPort(host, port))
	tcp := conn.(*net.TCPConn)

	var inputDone atomic.Bool
	go func() { // the keyboard (or a pipe) to the server
		if _, err := io.Copy(tcp, os.Stdin); err != nil {
			fmt.Fprintf(os.Stderr, "send failed: %v\n", err)
			os.Exit(1)
		}
		inputDone.Store(true)
		if err := tcp.CloseWrite(); err != nil { // half-close: no more lines
			fmt.Fprintf(os.Stderr, "shutdown failed: %v\n", err)
			os.Exit(1)
		}
	}()

	replies := bufio.NewScanner(tcp) // the server to the screen, line by line
	for replies.Scan() {
		fmt.Println(replies.Text())
	}
	if err := replies.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "read failed: %v\n", err)
		os.Exit(1)
	}
	if !inputDone.Load() {
		fmt.Fprintln(os.Stderr, "server closed the connection")
		os.Exit(1)
	}
	tcp.Close()
}
