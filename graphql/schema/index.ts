// Imports every feature file (each adds its types to the builder) and builds the schema.
import { builder } from '../builder.ts';
import './scalars.ts';
import './errors.ts';
import './user.ts';
import './image.ts';
import './compression.ts';
import './share-link.ts';
import './responsive-set.ts';
import './preset.ts';
import './bulk.ts';

export const schema = builder.toSchema({ sortSchema: true });
