// uds-hygiene, reference solution: a Unix stream echo server that cleans up after itself.
// A stale socket file (connect refused) is replaced, a live one (connect succeeds) is left alone,
// the socket gets mode 0660, and SIGTERM removes it.
package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s SOCKET\n", os.Args[0])
		os.Exit(2)
	}
	path := os.Args[1]
	if c, err := net.Dial("unix", path); err == nil {
		c.Close()
		fmt.Fprintf(os.Stderr, "%s is in use by a running server; not starting\n", path)
		os.Exit(1)
	} else if errors.Is(err, syscall.ECONNREFUSED) {
		_ = os.Remove(path) // stale: its server is gone
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.Chmod(path, 0o660); err != nil {
		ln.Close()
		log.Fatal(err)
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		ln.Close() // a UnixListener removes the file it created when it closes
		_ = os.Remove(path)
		os.Exit(0)
	}()
	fmt.Println("listening on", path)
	for {
		conn, err := ln.Accept()
		if err != nil {
			continue
		}
		go func(c net.Conn) {
			defer c.Close()
			_, _ = io.Copy(c, c)
		}(conn)
	}
}
