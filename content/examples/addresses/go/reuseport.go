// SO_REUSEPORT: two listeners on one port, and how the kernel spreads connections.
//
// Shows: a second net.Listen on a port in use fails ("address already in use"); Go has no
// option for SO_REUSEPORT, so a net.ListenConfig's Control function sets it on the raw socket
// before bind. The kernel then hands each new connection to one of the listeners, picked by a
// hash of the connection's addresses and ports. The program opens N connections to its own
// port (default 1000), one after another, and prints how many each listener accepted.
//
// Build: go build -o reuseport reuseport.go
// Run:   ./reuseport 1000
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"
)

// soReusePort is SO_REUSEPORT's number on Linux (asm-generic/socket.h): Go's frozen syscall
// package lacks it; golang.org/x/sys/unix has it as unix.SO_REUSEPORT.
const soReusePort = 0xf

// reusePort sets SO_REUSEPORT between socket() and bind(), the only time it counts.
var reusePort = net.ListenConfig{Control: func(network, address string, c syscall.RawConn) error {
	var sockErr error
	err := c.Control(func(fd uintptr) {
		sockErr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, soReusePort, 1)
	})
	if err != nil {
		return err
	}
	return sockErr
}}

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "%s failed: %v\n", what, err)
	os.Exit(1)
}

func main() {
	total := 1000
	if len(os.Args) > 2 {
		fmt.Fprintln(os.Stderr, "usage: reuseport [connections]   (1-100000, default 1000)")
		os.Exit(2)
	}
	if len(os.Args) == 2 {
		n, err := strconv.Atoi(os.Args[1])
		if err != nil || n < 1 || n > 100000 {
			fmt.Fprintln(os.Stderr, "usage: reuseport [connections]   (1-100000, default 1000)")
			os.Exit(2)
		}
		total = n
	}

	// Without the option a second listener cannot bind the same address and port.
	plain, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		fail("listen", err)
	}
	if second, err := net.Listen("tcp4", plain.Addr().String()); err == nil {
		second.Close()
		fail("a second listen without SO_REUSEPORT", fmt.Errorf("it succeeded; it should fail with EADDRINUSE"))
	} else {
		fmt.Printf("without SO_REUSEPORT: second listen on %s failed: %v\n", plain.Addr(), err.(*net.OpError).Err)
	}
	plain.Close()

	ctx := context.Background()
	first, err := reusePort.Listen(ctx, "tcp4", "127.0.0.1:0")
	if err != nil {
		fail("listen", err)
	}
	addr := first.Addr().String()
	second, err := reusePort.Listen(ctx, "tcp4", addr)
	if err != nil {
		fail("listen (second SO_REUSEPORT socket)", err)
	}
	fmt.Printf("listening on %s with two sockets (SO_REUSEPORT)\n", addr)

	// Each listener accepts in its own goroutine and reports which one it was.
	accepted := make(chan int)
	for i, ln := range []net.Listener{first, second} {
		go func() {
			for {
				conn, err := ln.Accept()
				if err != nil {
					return // closed at the end
				}
				conn.Close()
				accepted <- i
			}
		}()
	}
	counts := [2]int{}
	for range total {
		conn, err := net.Dial("tcp4", addr)
		if err != nil {
			fail("dial", err)
		}
		select {
		case i := <-accepted:
			counts[i]++
		case <-time.After(time.Second):
			fail("accept", fmt.Errorf("no listener accepted the connection within 1 s"))
		}
		conn.Close()
	}
	for i, n := range counts {
		fmt.Printf("listener %d accepted %d of %d\n", i+1, n, total)
	}
	first.Close()
	second.Close()
}
