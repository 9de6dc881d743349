// libgpiod v1 (1.6.x, Debian 12 / Raspberry Pi OS bookworm).
#include <gpiod.h>
