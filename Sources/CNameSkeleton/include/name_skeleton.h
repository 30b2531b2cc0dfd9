#ifndef NAME_SKELETON_H
#define NAME_SKELETON_H

#include <stdint.h>

/// Writes the skeleton of a UTF-8 name into `out` as NUL-terminated UTF-8: the name
/// NFKC-case-folded (ICU's NFKC_Casefold), then mapped through the confusables of Unicode
/// TS #39 (ICU's spoof checker), so `Alice`, Cyrillic `аlice` and fullwidth `ａｌｉｃｅ` all
/// give `alice`.
///
/// Returns the skeleton's length in bytes (without the NUL), or -1 when the input is not
/// UTF-8, ICU fails, or the skeleton does not fit in `capacity` bytes.
///
/// Only `const char *` and `int32_t` cross this header: ICU's own headers stay inside the
/// `.c` file, where they cannot clash with the ICU that Foundation bundles for Swift.
int32_t name_skeleton(const char *utf8, char *out, int32_t capacity);

#endif
