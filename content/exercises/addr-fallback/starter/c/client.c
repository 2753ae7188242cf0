/*
 * addr-fallback starter: sends "hello\n" to HOST PORT and prints the answer line.
 *
 * It connects to the first address getaddrinfo returns and gives up if that one refuses. Make it
 * try every address, in order, until one connects, and exit 1 only when all have failed.
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o client client.c
 */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: client HOST PORT\n");
        return 2;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res;
    int rc = getaddrinfo(argv[1], argv[2], &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rc));
        return 1;
    }
    /* TODO: only the first address is tried. */
    int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
        perror("connect");
        return 1;
    }
    freeaddrinfo(res);
    if (write(fd, "hello\n", 6) != 6) { perror("write"); return 1; }
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf - 1); /* TODO: one read is not always one line */
    if (n <= 0) return 1;
    buf[n] = '\0';
    fputs(buf, stdout);
    return 0;
}
