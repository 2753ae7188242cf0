// http-health starter: an HTTP server on the Unix socket SOCKET.
// GET /health -> 200, Content-Type: application/json, {"status":"ok"}; POST /echo -> 200 and the
// request body; other paths -> 404; POST /health -> 405.
// This one only knows /health, for every method, and says it in plain text. TODO: the rest.
// Build: go build -o server server.go
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s SOCKET\n", os.Args[0])
		os.Exit(2)
	}
	path := os.Args[1]
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	fmt.Println("listening on", path)
	log.Fatal(http.Serve(ln, mux))
}
