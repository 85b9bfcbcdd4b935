// (being written)
#include "device.h"
