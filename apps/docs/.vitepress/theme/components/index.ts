import type { Component } from 'vue';
import ActivationDemo from './ActivationDemo.vue';
import ArchitectureDiagram from './ArchitectureDiagram.vue';
import ConvolutionDemo from './ConvolutionDemo.vue';
import CorrelationDemo from './CorrelationDemo.vue';
import DrawDigit from './DrawDigit.vue';
import EquivarianceDemo from './EquivarianceDemo.vue';
import FeatureMapsDemo from './FeatureMapsDemo.vue';
import GoogLeNetTable from './GoogLeNetTable.vue';
import MatrixView from './MatrixView.vue';
import ModelCard from './ModelCard.vue';
import ModelSummary from './ModelSummary.vue';
import NetworkEditor from './NetworkEditor.vue';
import OutputSizeTable from './OutputSizeTable.vue';
import ParamCount from './ParamCount.vue';
import PoolingDemo from './PoolingDemo.vue';
import ShapeCalculator from './ShapeCalculator.vue';
import TrainMnist from './TrainMnist.vue';
import VggConfigs from './VggConfigs.vue';
import VggMemory from './VggMemory.vue';

/** Every component the Markdown pages use, registered globally by the theme. */
export const components: Record<string, Component> = {
  ActivationDemo,
  ArchitectureDiagram,
  ConvolutionDemo,
  CorrelationDemo,
  DrawDigit,
  EquivarianceDemo,
  FeatureMapsDemo,
  GoogLeNetTable,
  MatrixView,
  ModelCard,
  ModelSummary,
  NetworkEditor,
  OutputSizeTable,
  ParamCount,
  PoolingDemo,
  ShapeCalculator,
  TrainMnist,
  VggConfigs,
  VggMemory,
};
