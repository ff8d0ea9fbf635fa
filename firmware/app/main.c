/*
 * main.c - the on-device app: boot banner, then read command lines terminated by '%' and hand each
 * to the command table (hb_cmd_table.c); every reply ends with m-ready.
 *
 * A line longer than HB_CMD_SIZE is not run cut short (a cut `db HEX` or `hb-put` would act on
 * wrong data): the rest of it is read up to its '%' and dropped, and the reply is one e-[...] line.
 */
#include "hb_board_config.h"
#include "hb_bsp.h"
#include "hb_cmd.h"
#include "hb_fmt.h"
#include "hb_model.h"

static char g_line[HB_CMD_SIZE + 1u];

static void too_long(size_t received)
{
    g_line[16] = '\0';
    hb_printf("e-[Command longer than %u characters (%u received), ignored: %s...]\r\n", (unsigned)HB_CMD_SIZE,
              (unsigned)received, g_line);
    hb_printf("m-ready\r\n");
}

int main(void)
{
    hb_bsp_init();
    (void)hb_model_setup(); /* a failure is reported in the banner and by every command that needs the model */
    hb_printf("m-hb-boot-[%s]-[%s]\r\n", HB_BOARD_NAME, hb_model_status());
    hb_printf("m-init-done\r\n");
    hb_printf("m-ready\r\n");
    size_t len = 0; /* characters of the current line, counted on past the buffer */
    for (;;) {
        char c = (char)hb_uart_getc();
        if (c == '%') {
            if (len > HB_CMD_SIZE) {
                too_long(len);
            } else {
                g_line[len] = '\0';
                hb_cmd_dispatch(g_line);
            }
            len = 0;
        } else if (c != '\r' && c != '\n') {
            if (len < HB_CMD_SIZE) g_line[len] = c;
            if (len < SIZE_MAX) ++len;
        }
    }
}
