#ifndef LOBBY_CNCURSES_SHIM_H
#define LOBBY_CNCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <ncursesw/curses.h>

// Swift cannot call C macros or see functions a feature-test macro hides from Glibc's module,
// so the ones LobbyTUI needs are wrapped here.


static inline int lobby_max_x(WINDOW *window) { return getmaxx(window); }
static inline int lobby_max_y(WINDOW *window) { return getmaxy(window); }
static inline attr_t lobby_attr_bold(void) { return A_BOLD; }
static inline attr_t lobby_attr_dim(void) { return A_DIM; }
static inline attr_t lobby_attr_reverse(void) { return A_REVERSE; }
static inline attr_t lobby_attr_normal(void) { return A_NORMAL; }

// stdscr, curscr, stdin and stdout are C globals; reading them through functions keeps Swift's
// strict concurrency checking quiet about shared mutable state it cannot see is only read.
static inline SCREEN *lobby_newterm(void) { return newterm(NULL, stdout, stdin); }
static inline WINDOW *lobby_stdscr(void) { return stdscr; }
/// Makes the next refresh repaint every cell (Ctrl-L).
static inline void lobby_force_repaint(void) { clearok(curscr, TRUE); }

/// The terminal's size from the kernel (ioctl is variadic, which Swift cannot call).
static inline int lobby_terminal_size(int fd, int *rows, int *columns) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0) return -1;
    *rows = size.ws_row;
    *columns = size.ws_col;
    return 0;
}

/// Reports the mouse wheel only (buttons 4 and 5), at once (no click interval).
static inline void lobby_enable_wheel(void) {
    mouseinterval(0);
    mousemask(BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
}

/// After KEY_MOUSE: 1 wheel up, -1 wheel down, 0 anything else.
static inline int lobby_read_wheel(void) {
    MEVENT event;
    if (getmouse(&event) != OK) return 0;
    if (event.bstate & BUTTON4_PRESSED) return 1;
    if (event.bstate & BUTTON5_PRESSED) return -1;
    return 0;
}
#endif
