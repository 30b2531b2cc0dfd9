#include "name_skeleton.h"

#include <pthread.h>
#include <stdlib.h>
#include <unicode/unorm2.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>

// Names are short (at most 64 UTF-8 bytes are accepted); these bounds leave room for the
// expansions of NFKC case folding and the confusable map without allocating on every call.
enum { units_capacity = 1024 };

static USpoofChecker *checker;
static const UNormalizer2 *nfkc_casefold;

static void make_checker(void) {
    UErrorCode status = U_ZERO_ERROR;
    USpoofChecker *made = uspoof_open(&status);
    if (U_FAILURE(status)) {
        return;
    }
    // Only the skeleton is used; no check runs, so the checks chosen do not matter.
    checker = made;
    status = U_ZERO_ERROR;
    const UNormalizer2 *normalizer = unorm2_getNFKCCasefoldInstance(&status);
    if (U_SUCCESS(status)) {
        nfkc_casefold = normalizer;
    }
}

int32_t name_skeleton(const char *utf8, char *out, int32_t capacity) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, make_checker);
    if (checker == NULL || nfkc_casefold == NULL || utf8 == NULL || out == NULL || capacity <= 0) {
        return -1;
    }
    UErrorCode status = U_ZERO_ERROR;
    UChar units[units_capacity];
    int32_t length = 0;
    u_strFromUTF8(units, units_capacity, &length, utf8, -1, &status);
    if (U_FAILURE(status) || length >= units_capacity) {
        return -1;
    }
    UChar folded[units_capacity];
    int32_t folded_length = unorm2_normalize(nfkc_casefold, units, length, folded, units_capacity, &status);
    if (U_FAILURE(status) || folded_length >= units_capacity) {
        return -1;
    }
    UChar skeleton[units_capacity];
    // The checker is only read here: ICU documents uspoof_getSkeleton on a configured checker
    // as safe to call from several threads at once.
    int32_t skeleton_length =
        uspoof_getSkeleton(checker, 0, folded, folded_length, skeleton, units_capacity, &status);
    if (U_FAILURE(status) || skeleton_length >= units_capacity) {
        return -1;
    }
    int32_t written = 0;
    u_strToUTF8(out, capacity, &written, skeleton, skeleton_length, &status);
    if (U_FAILURE(status) || written >= capacity) {
        return -1;
    }
    out[written] = '\0';
    return written;
}
