/* render/module/module.c: the one symbol libeseal-render.so.0 exports: its table (render/render.h). Everything else
 * in the module is hidden, so the module adds no name to a process but this one. */
#include "module_internal.h"

static const es_render_ops ops = {
	.size = sizeof(es_render_ops),
	.doc_open = esr_doc_open,
	.doc_free = esr_doc_free,
	.doc_pages = esr_doc_pages,
	.page_size = esr_page_size,
	.page_draw = esr_page_draw,
	.png_decode = esr_png_decode,
	.png_encode = esr_png_encode,
	.stroke_rect = esr_stroke_rect,
	.stamp_draw = esr_stamp_draw,
	.paper_new = esr_paper_new,
	.paper_text = esr_paper_text,
	.paper_image = esr_paper_image,
	.paper_next_page = esr_paper_next_page,
	.paper_finish = esr_paper_finish,
};

__attribute__((visibility("default"))) const es_render_ops *eseal_render_module_v1(void);

const es_render_ops *eseal_render_module_v1(void)
{
	return &ops;
}
