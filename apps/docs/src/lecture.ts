/**
 * The numbers of the course pages, computed by the library: each function
 * returns plain data that a component renders (on the server at build time
 * and again in the browser) and that the tests check. What `convkit lecture`
 * prints too (the worked convolution, output sizes, parameters, the model
 * tables) comes from `@convkit/zoo/lecture`; the examples only these pages
 * show live beside this file, one per page.
 */
export * from '@convkit/zoo/lecture';
export { fullyConnectedExamples } from './lecture/fully-connected.js';
export { shrinkingStack, volumeExample } from './lecture/volumes.js';
export { sparseInteractions, variableInputSizes } from './lecture/why-cnns-work.js';
