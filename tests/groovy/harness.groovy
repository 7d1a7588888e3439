// Evaluates generated Jenkinsfiles under Groovy 2.4 with stub pipeline steps, and prints, per file,
// a JSON line with what the stubs received: the pod YAML, the container and the sh steps.
import groovy.json.JsonOutput

class Recorder {
    Map seen = [yaml: null, container: null, steps: [], options: [:]]

    def record(String name, List a) {
        if (!a.isEmpty() && a[-1] instanceof Closure) {
            if (a[0] instanceof Map) { options(a[0] as Map) }
            if (name == 'container') { seen.container = a[0] }
            Closure body = a[-1] as Closure
            body.delegate = this
            body.resolveStrategy = Closure.DELEGATE_FIRST
            body.call()
            return null
        }
        switch (name) {
            case 'yaml': seen.yaml = a[0]; break
            case 'sh': seen.steps << a[0]; break
            case 'defaultContainer': seen.container = a[0]; break
            case ['never', 'always', 'onFailure', 'merge', 'override']: return name
            default: seen.options[name] = a ? a[0] : null
        }
        return null
    }

    def options(Map m) {
        m.each { k, v -> if (k == 'yaml') { seen.yaml = v } else { seen.options[k] = v } }
    }

    def methodMissing(String name, args) { record(name, args as List) }
    def propertyMissing(String name) { name == 'POD_LABEL' ? 'pod-label' : { -> name } }
}

args.each { path ->
    def recorder = new Recorder()
    def binding = new Binding()
    binding.setVariable('POD_LABEL', 'pod-label')
    ['podTemplate', 'node', 'container', 'sh', 'pipeline', 'never', 'always', 'onFailure', 'merge', 'override'].each { n ->
        binding.setVariable(n, { Object[] a -> recorder.record(n, a as List) })
    }
    def script = new GroovyShell(binding).parse(new File(path).getText('UTF-8'))
    script.run()
    println JsonOutput.toJson([path: path, yaml: recorder.seen.yaml, container: recorder.seen.container, steps: recorder.seen.steps, options: recorder.seen.options.keySet().sort()])
}
