// pkg-config already adds -I.../libusb-1.0, so the header is included by its bare name.
#include <libusb.h>
