// Debian's libstb-dev ships stb as a built shared library (libstb.so holds the stbi_*, stbir_* and
// stbi_write_* implementations), so only the declarations are included here: defining
// STB_IMAGE_IMPLEMENTATION (or the resize / write ones) would compile a second copy.
#include <stb_image.h>
#include <stb_image_resize.h>
#include <stb_image_write.h>
