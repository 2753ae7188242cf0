/* tcp-idle-timeout mutant: one poll() loop whose 2 s timeout is the whole server's, not each client's. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS 64

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 2) {
        fprintf(stderr, "usage: server PORT\n");
        return 2;
    }
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, SOMAXCONN) < 0) {
        perror("bind");
        return 1;
    }
    printf("listening on 127.0.0.1:%s\n", argv[1]);
    struct pollfd fds[1 + MAX_CLIENTS] = {{.fd = lfd, .events = POLLIN}};
    int count = 0;
    for (;;) {
        int ready = poll(fds, (nfds_t)(1 + count), 2000);
        if (ready == 0) { /* nobody said anything for 2 s: close every client */
            for (int i = 1; i <= count; i++) close(fds[i].fd);
            count = 0;
            continue;
        }
        for (int i = count; i >= 1; i--) {
            if (!fds[i].revents) continue;
            char buf[16384];
            ssize_t n = recv(fds[i].fd, buf, sizeof buf, 0);
            if (n > 0 && send(fds[i].fd, buf, (size_t)n, MSG_NOSIGNAL) == n) continue;
            close(fds[i].fd);
            fds[i] = fds[count--];
        }
        if ((fds[0].revents & POLLIN) && count < MAX_CLIENTS) {
            int fd = accept(lfd, NULL, NULL);
            if (fd >= 0) fds[++count] = (struct pollfd){.fd = fd, .events = POLLIN};
        }
    }
}
