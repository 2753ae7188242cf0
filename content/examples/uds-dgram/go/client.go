// Unix datagram client: binds its own socket file first, so the server has an address to answer.
//
// Shows: a private directory from os.MkdirTemp (never a guessable name like tmpnam's), binding
// our end with net.ListenUnixgram, sending to the server with WriteToUnix, a 1 s read deadline,
// matching each reply to its request (after a timeout the late reply arrives while we wait for
// the next one), and removing our socket file and directory at the end, Ctrl-C included.
//
// Build: go build -o client client.go
// Run:   ./client /tmp/socketlab-uds-dgram.sock    (type lines; Ctrl-D to finish)
package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	server := "/tmp/socketlab-uds-dgram.sock"
	switch len(os.Args) {
	case 1:
	case 2:
		server = os.Args[1]
	default:
		fmt.Fprintln(os.Stderr, "usage: client [server-socket-path]")
		os.Exit(2)
	}
	os.Exit(run(server))
}

func run(server string) int {
	dir, err := os.MkdirTemp("", "socketlab-client-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot make a private directory: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	self := filepath.Join(dir, "client.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: self, Net: "unixgram"})
	if err != nil {
		fmt.Fprintf(os.Stderr, "bind failed: %v\n", err)
		return 1
	}
	defer conn.Close()
	fmt.Printf("bound to %s\n", self)

	// Ctrl-C or SIGTERM: clean up our socket file and directory before leaving.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		conn.Close()
		os.RemoveAll(dir)
		os.Exit(0)
	}()

	to := &net.UnixAddr{Name: server, Net: "unixgram"}
	buf := make([]byte, 65536)
	input := bufio.NewScanner(os.Stdin)
	for input.Scan() {
		line := input.Text()
		if _, err := conn.WriteToUnix([]byte(line), to); err != nil {
			// ENOENT: no such file; ECONNREFUSED: a file with nobody bound to it.
			fmt.Fprintf(os.Stderr, "send failed: %v\n", err)
			continue
		}
		reply := "echo: " + line
		answered, err := awaitReply(conn, buf, reply)
		if err != nil {
			fmt.Fprintf(os.Stderr, "receive failed: %v\n", err)
			return 1
		}
		if !answered {
			fmt.Fprintln(os.Stderr, "no reply within 1 s")
			continue
		}
		fmt.Println(reply)
	}
	if err := input.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "reading stdin failed: %v\n", err)
		return 1
	}
	return 0
}

// awaitReply waits up to 1 s for the datagram want, and reports whether it came. Anything else is
// a late reply to an earlier line that timed out: skip it and keep waiting.
func awaitReply(conn *net.UnixConn, buf []byte, want string) (bool, error) {
	if err := conn.SetReadDeadline(time.Now().Add(time.Second)); err != nil {
		return false, err
	}
	for {
		n, err := conn.Read(buf)
		var timeout net.Error
		if errors.As(err, &timeout) && timeout.Timeout() {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if string(buf[:n]) == want {
			return true, nil
		}
	}
}
