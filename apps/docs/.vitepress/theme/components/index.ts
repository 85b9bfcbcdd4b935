import { type Component, defineAsyncComponent } from 'vue';

/**
 * Every component the Markdown pages use, registered globally by the theme.
 * Each is an async component: its code (and tfjs-core, ECharts, the zoo it
 * pulls in) is a chunk of its own, fetched only by a page that renders it, so
 * the theme every page loads stays small. Server rendering awaits them, so the
 * static HTML still holds their numbers, and hydration waits for the chunk.
 */
export const components: Record<string, Component> = {
  ActivationDemo: defineAsyncComponent(() => import('./ActivationDemo.vue')),
  ArchitectureDiagram: defineAsyncComponent(() => import('./ArchitectureDiagram.vue')),
  ConvolutionDemo: defineAsyncComponent(() => import('./ConvolutionDemo.vue')),
  CorrelationDemo: defineAsyncComponent(() => import('./CorrelationDemo.vue')),
  DegradationChart: defineAsyncComponent(() => import('./DegradationChart.vue')),
  EfficientTable: defineAsyncComponent(() => import('./EfficientTable.vue')),
  DrawDigit: defineAsyncComponent(() => import('./DrawDigit.vue')),
  EquivarianceDemo: defineAsyncComponent(() => import('./EquivarianceDemo.vue')),
  FeatureMapsDemo: defineAsyncComponent(() => import('./FeatureMapsDemo.vue')),
  FiltersLesson: defineAsyncComponent(() => import('./FiltersLesson.vue')),
  GoogLeNetTable: defineAsyncComponent(() => import('./GoogLeNetTable.vue')),
  MatrixView: defineAsyncComponent(() => import('./MatrixView.vue')),
  ModelCard: defineAsyncComponent(() => import('./ModelCard.vue')),
  ModelSummary: defineAsyncComponent(() => import('./ModelSummary.vue')),
  NetworkEditor: defineAsyncComponent(() => import('./NetworkEditor.vue')),
  OutputSizeTable: defineAsyncComponent(() => import('./OutputSizeTable.vue')),
  ParamCount: defineAsyncComponent(() => import('./ParamCount.vue')),
  PoolingDemo: defineAsyncComponent(() => import('./PoolingDemo.vue')),
  RecipeEffects: defineAsyncComponent(() => import('./RecipeEffects.vue')),
  ResNetTable: defineAsyncComponent(() => import('./ResNetTable.vue')),
  SeparableCost: defineAsyncComponent(() => import('./SeparableCost.vue')),
  ShapeCalculator: defineAsyncComponent(() => import('./ShapeCalculator.vue')),
  TrainMnist: defineAsyncComponent(() => import('./TrainMnist.vue')),
  VggConfigs: defineAsyncComponent(() => import('./VggConfigs.vue')),
  VggMemory: defineAsyncComponent(() => import('./VggMemory.vue')),
};
