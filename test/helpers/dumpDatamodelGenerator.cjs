// A Prisma generator that writes the datamodel part of the DMMF (models, enums, indexes) to its
// output file as JSON: how a test reads schema.prisma exactly as Prisma understands it, offline.
const { writeFileSync } = require('node:fs');
const { generatorHandler } = require('@prisma/generator-helper');

generatorHandler({
  onManifest: () => ({ prettyName: 'datamodel dump', defaultOutput: 'datamodel.json' }),
  onGenerate: async (options) => {
    writeFileSync(options.generator.output.value, JSON.stringify(options.dmmf.datamodel));
  },
});
