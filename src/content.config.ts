import { defineCollection } from "astro:content";
import { docsLoader } from "@astrojs/starlight/loaders";
import { docsSchema } from "@astrojs/starlight/schema";
import { z } from "astro/zod";

// Every guide page names who owns it, who reviews it and when it was last reviewed; a page
// without them fails the build. The overview and other non-guide pages may omit them.
const reviewed = z.object({
  owner: z.string().min(2).optional(),
  reviewer: z.string().min(2).optional(),
  lastReviewed: z.coerce.date().optional(),
  /** Set on guide pages; makes owner, reviewer and lastReviewed required. */
  guide: z.boolean().default(false),
});

export const collections = {
  docs: defineCollection({
    loader: docsLoader(),
    schema: docsSchema({
      extend: reviewed.superRefine((data, ctx) => {
        if (!data.guide) return;
        for (const field of ["owner", "reviewer", "lastReviewed"] as const) {
          if (data[field] === undefined) {
            ctx.addIssue({ code: "custom", path: [field], message: `guide pages must set ${field}` });
          }
        }
      }),
    }),
  }),
};
