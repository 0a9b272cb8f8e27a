#ifndef CSTBRESIZE_H
#define CSTBRESIZE_H

/// Resizes interleaved float pixels with stb_image_resize's triangle filter in linear colour space, edges
/// clamped (alpha channel: none). Returns 0 when stb_image_resize refuses the sizes.
int tk_resize_float_triangle(const float *input, int input_width, int input_height, float *output,
                             int output_width, int output_height, int channels);

#endif
