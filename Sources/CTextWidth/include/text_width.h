#ifndef TEXT_WIDTH_H
#define TEXT_WIDTH_H

/// wcwidth() of one Unicode scalar in the calling thread's locale: the C library's table of
/// terminal cells (0, 1 or 2; -1 for unprintable). Glibc declares wcwidth() only under
/// _XOPEN_SOURCE, which Swift's Glibc module does not set, so it is reached through here.
int text_width_wcwidth(unsigned int scalar);

#endif
