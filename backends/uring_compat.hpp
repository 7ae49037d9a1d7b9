// What liburing 2.3's copy of the io_uring uapi lacks (added in kernel 6.2,
// KERNEL-FACTS.md §1): the send_zc usage report. One place for every user.
#pragma once

#include <liburing.h>

#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE (1U << 3)
#endif
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED (1U << 31)
#endif
