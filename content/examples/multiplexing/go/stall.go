// A slow handler in Go does not stall the other clients, even on one thread.
//
// The same experiment as the TypeScript stall.ts: an echo server whose handler burns the CPU for
// 300 ms when a line says "slow", and a second client that sends "ping" 20 ms later and measures
// its echo. First with GOMAXPROCS=1 (one OS thread runs all Go code, as one thread runs all of
// Node's callbacks): the runtime preempts the busy goroutine (every 10 ms, since Go 1.14), so the
// other client waits for its turns on that thread, not for the handler. Then with a thread per
// CPU, where the other client's goroutine runs beside the busy one.
//
// Build: go build -o stall stall.go
// Run:   ./stall
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"runtime"
	"time"
)

const busy = 300 * time.Millisecond

func burn(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
	}
}

func serve(conn net.Conn) {
	defer conn.Close()
	lines := bufio.NewScanner(conn)
	for lines.Scan() {
		if lines.Text() == "slow" {
			burn(busy)
		}
		if _, err := conn.Write([]byte("echo: " + lines.Text() + "\n")); err != nil {
			return
		}
	}
}

func must(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "stall: %v\n", err)
		os.Exit(1)
	}
}

// measure runs the experiment with `procs` threads running Go code and returns how long the
// quick client waited for its echo.
func measure(procs int) time.Duration {
	runtime.GOMAXPROCS(procs)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(conn)
		}
	}()
	slow, err := net.Dial("tcp", ln.Addr().String())
	must(err)
	defer slow.Close()
	quick, err := net.Dial("tcp", ln.Addr().String())
	must(err)
	defer quick.Close()
	_, err = slow.Write([]byte("slow\n"))
	must(err)
	time.Sleep(20 * time.Millisecond) // the slow line reaches the server first
	sent := time.Now()
	_, err = quick.Write([]byte("ping\n"))
	must(err)
	_, err = bufio.NewReader(quick).ReadString('\n')
	must(err)
	waited := time.Since(sent)
	_, err = bufio.NewReader(slow).ReadString('\n') // the busy handler is done: the next run starts clean
	must(err)
	return waited
}

func main() {
	cpus := runtime.NumCPU()
	one := measure(1)
	fmt.Printf("handler burns %v, GOMAXPROCS=1: another client's echo took %.1f ms\n", busy, float64(one.Microseconds())/1000)
	all := measure(cpus)
	fmt.Printf("handler burns %v, GOMAXPROCS=%d: another client's echo took %.1f ms\n", busy, cpus, float64(all.Microseconds())/1000)
	if one < busy && all < busy {
		fmt.Println("no client waited for the whole busy handler")
	} else {
		fmt.Println("unexpected: a client waited for the whole busy handler")
	}
}
