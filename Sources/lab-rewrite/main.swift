print("lab-rewrite: under construction")
