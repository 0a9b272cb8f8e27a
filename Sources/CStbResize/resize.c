// stb_image_resize (Debian's libstb-dev header, v0.97) compiled here, with its internal asserts off: the
// built libstb.so keeps `STBIR_ASSERT(total < 1.1f)` in stbir__normalize_downsample_coefficients, which
// float rounding trips when shrinking by some ratios (7 → 5, 9 → 7 pixels), aborting the process on ordinary
// images. The coefficients are normalised to sum 1 right after that check, so without it the result is
// correct. Every stb function is static here: nothing clashes with libstb.so.
#pragma clang diagnostic ignored "-Wunused-function"
#define STBIR_ASSERT(x) ((void)0)
#define STBIRDEF static
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb/stb_image_resize.h>

#include "CStbResize.h"

int tk_resize_float_triangle(const float *input, int input_width, int input_height, float *output,
                             int output_width, int output_height, int channels) {
    return stbir_resize_float_generic(input, input_width, input_height, 0, output, output_width, output_height, 0,
                                      channels, STBIR_ALPHA_CHANNEL_NONE, 0, STBIR_EDGE_CLAMP, STBIR_FILTER_TRIANGLE,
                                      STBIR_COLORSPACE_LINEAR, NULL);
}
